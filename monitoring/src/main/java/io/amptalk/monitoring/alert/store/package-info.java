/** Where alerts, pending deliveries and dead letters are kept: in memory, or durably in SQLite. */
package io.amptalk.monitoring.alert.store;
