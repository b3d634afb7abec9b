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
ENTRYPOINT ["java", "-jar", "/opt/amptalk/amptalk-monitor.jar"]
# Serve on every interface of the container (the default), keep the data in the volume.
CMD ["--port", "8000", "--data-dir", "/var/lib/amptalk"]
