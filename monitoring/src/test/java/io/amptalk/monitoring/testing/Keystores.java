package io.amptalk.monitoring.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Real keystores for TLS tests, made by the JDK's own {@code keytool}: an EC key and a self-signed
 * certificate for {@code localhost} and {@code 127.0.0.1}, valid two days.
 */
public final class Keystores {
  public static final String ALIAS = "monitor";

  private Keystores() {}

  /** Makes a keystore of {@code type} (PKCS12 or JKS) whose key has the store's password. */
  public static Path create(Path file, String type, String password) {
    return create(file, type, password, password);
  }

  /** Makes a keystore of {@code type}; its key has {@code keyPassword} (JKS can differ). */
  public static Path create(Path file, String type, String storePassword, String keyPassword) {
    keytool(
        "-genkeypair",
        "-alias",
        ALIAS,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        file.toString(),
        "-storetype",
        type,
        "-storepass",
        storePassword,
        "-keypass",
        keyPassword,
        "-noprompt");
    return file;
  }

  /** A client context trusting exactly the certificate in {@code keystore}. */
  public static SSLContext trusting(Path keystore, String password) {
    try {
      KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
      Certificate certificate = store.getCertificate(ALIAS);
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry(ALIAS, certificate);
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** The certificate in {@code keystore}. */
  public static Certificate trustedCertificate(Path keystore, String password) {
    try {
      return KeyStore.getInstance(keystore.toFile(), password.toCharArray()).getCertificate(ALIAS);
    } catch (IOException | GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A keystore holding only the certificate of {@code keystore}, no private key. */
  public static Path certificateOnly(Path keystore, String password, Path file) {
    try {
      KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry(ALIAS, store.getCertificate(ALIAS));
      try (var out = Files.newOutputStream(file)) {
        trusted.store(out, password.toCharArray());
      }
      return file;
    } catch (IOException | GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static void keytool(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = process.waitFor();
      if (status != 0) {
        throw new AssertionError("keytool exited " + status + ": " + output);
      }
    } catch (IOException e) {
      throw new AssertionError("keytool could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
