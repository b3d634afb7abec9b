# The amptalk agent as a container image, from the jar the build makes. From the repository root:
#   mvn -B -q package -DskipTests
#   docker build -f deploy/agent.Dockerfile -t amptalk-monitor .
# (deploy/compose.yml does this.) The build context is the repository root; with BuildKit,
# agent.Dockerfile.dockerignore next to this file sends only the jar.
FROM eclipse-temurin:17-jre

RUN useradd --system --uid 10001 --home-dir /var/lib/amptalk --create-home amptalk
COPY agent/target/amptalk-monitor.jar /opt/amptalk/amptalk-monitor.jar

USER amptalk
WORKDIR /var/lib/amptalk
# Alert history and undelivered notifications (SQLite).
VOLUME /var/lib/amptalk
EXPOSE 8000

# The sidecar settings BENCHMARKS.md measures (bench/footprint.sh): a 64 MiB heap, the serial
# collector, C1 only, smaller stacks, metaspace and code cache, no perf-data file. JDK_JAVA_OPTIONS
# is read by the java launcher alone (not by jcmd or jstack run in the container), and a value given
# at run time replaces this one whole: docker run -e JDK_JAVA_OPTIONS="-Xmx128m" ..., or
# "environment:" in compose.yml. Keep the memory limit of the container well above -Xmx: the agent
# needs ~90 MiB resident with these settings.
ENV JDK_JAVA_OPTIONS="-Xms16m -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData"
# Ready: /health/ready answers 200 (the agent has started and the readiness group's checks pass;
# 503 otherwise). Probed with bash's /dev/tcp, so that neither curl (which the base image carries
# only for historical reasons) nor a second JVM per probe is needed; the status line alone is read.
# It probes port 8000 of CMD below: run the agent on another --port with -e AMPTALK_PORT=<port> too.
# Over plain HTTP only: with tls_keystore set, probe with a client that speaks TLS instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${AMPTALK_PORT:-8000} && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 _ code _ <&3 && [ \"$code\" = 200 ]"]

ENTRYPOINT ["java", "-jar", "/opt/amptalk/amptalk-monitor.jar"]
# Serve on every interface of the container (the default), keep the data in the volume.
CMD ["--port", "8000", "--data-dir", "/var/lib/amptalk"]
