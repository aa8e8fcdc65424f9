# paybridge as a container image: the jar `mvn -B package` builds, started with the README's command
# (`java -jar target/paybridge.jar`) from PAYBRIDGE_HOME. Build after packaging:
#   mvn -B -q package -DskipTests && docker build -t paybridge .
# PAYBRIDGE_HOME holds application.properties and routes/: mount a ConfigMap (or a volume) over either
# to ship settings or route edits without rebuilding the image (deploy/kubernetes does).
FROM eclipse-temurin:17-jre

# a fixed non-root user; the home's data/ is the only place it writes (the H2 file database of a
# single-node trial; with PostgreSQL nothing is written)
RUN groupadd --system --gid 10001 paybridge \
 && useradd --system --uid 10001 --gid paybridge --home-dir /opt/paybridge --no-create-home --shell /usr/sbin/nologin paybridge \
 && mkdir -p /opt/paybridge/target /opt/paybridge/routes /opt/paybridge/data \
 && chown paybridge:paybridge /opt/paybridge/data

# prod: the real vendor hosts, no sandbox; start-up stops naming what is missing (PAYBRIDGE_API_KEY,
# the enabled vendors' credentials). The heap follows the container's memory limit, not the host's.
# Every start maps the class-data sharing archive written below (start-up in about two thirds of the
# time). It fits this jar, this JDK and a heap under 32 GiB; a JVM that finds otherwise starts without it
# (README, "The container image").
ENV PAYBRIDGE_HOME=/opt/paybridge \
    CAMEL_MAIN_PROFILE=prod \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=/opt/paybridge/target/paybridge.jsa"

WORKDIR /opt/paybridge
COPY target/paybridge.jar /opt/paybridge/target/paybridge.jar
COPY application.properties /opt/paybridge/application.properties
COPY routes/ /opt/paybridge/routes/
COPY deploy/class-data-archive.sh /opt/paybridge/deploy/class-data-archive.sh

# the class-data sharing archive of this jar on this JDK: one start of the jar, stopped a second after it
# is up, whose loaded classes the JVM writes out (deploy/class-data-archive.sh; in-memory database,
# placeholder credentials, nothing called). Written as root, read-only to the user below.
RUN ["sh", "deploy/class-data-archive.sh", "target/paybridge.jar", "target/paybridge.jsa"]

USER 10001:10001
# business API (/api, /webhooks) and management (/observe/health, /observe/metrics)
EXPOSE 8080 9876
ENTRYPOINT ["java", "-jar", "target/paybridge.jar"]
