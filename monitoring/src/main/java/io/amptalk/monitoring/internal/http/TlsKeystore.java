package io.amptalk.monitoring.internal.http;

import io.amptalk.monitoring.SystemMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Opens the keystore of {@link SystemMonitor.Builder#tls} into a server's {@link SSLContext}, at
 * once, so that a wrong path or password fails when the option is set, with a message naming the
 * option and the path (never the password).
 */
public final class TlsKeystore {
  private TlsKeystore() {}

  public static SSLContext load(Path keystore, char[] password) {
    Objects.requireNonNull(keystore, "keystore");
    Objects.requireNonNull(password, "password");
    String named = "tls keystore '" + keystore.toAbsolutePath().normalize() + "'";
    if (!Files.exists(keystore)) {
      throw new IllegalArgumentException(named + " does not exist");
    }
    if (!Files.isRegularFile(keystore)) {
      throw new IllegalArgumentException(named + " is not a file");
    }
    if (!Files.isReadable(keystore)) {
      throw new IllegalArgumentException(named + " cannot be read by this process");
    }
    KeyStore store;
    try {
      // Finds out the type (PKCS12 or JKS) from the file's content.
      store = KeyStore.getInstance(keystore.toFile(), password);
    } catch (KeyStoreException e) {
      throw new IllegalArgumentException(named + " is not a PKCS12 or JKS keystore", e);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException(named + " cannot be opened: wrong password", e);
      }
      throw new IllegalArgumentException(named + " cannot be read: " + e, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(named + " cannot be loaded: " + e, e);
    }
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        hasKey |= store.isKeyEntry(alias);
      }
      if (!hasKey) {
        throw new IllegalArgumentException(
            named
                + " holds no private key: it needs the server's key and certificate, e.g. made"
                + " with keytool -genkeypair");
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      try {
        keys.init(store, password);
      } catch (UnrecoverableKeyException e) {
        throw new IllegalArgumentException(
            named
                + " holds a private key that the keystore's password does not open: give the key"
                + " the keystore's password",
            e);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(named + " cannot be used: " + e, e);
    }
  }
}
