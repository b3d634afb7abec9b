package io.amptalk.monitoring.alert.store;

/** The in-memory store keeps the same contract as the durable one. */
class InMemoryAlertStoreTest extends AlertStoreContract {
  @Override
  protected AlertStore newStore(int maxHistorySize) {
    return new InMemoryAlertStore(maxHistorySize);
  }
}
