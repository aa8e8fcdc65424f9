#!/bin/sh
# Writes the class-data sharing archive (AppCDS) that the image starts with: the JVM then maps the ~8,000
# classes paybridge loads at start-up, parsed and verified, instead of reading them from the jar.
# On the 2-core build machine, a start took about 3 s with the archive against 4–5 s without
# (BENCHMARKS.md, session 22).
#
#   deploy/class-data-archive.sh <jar> <archive>
#
# One start of the jar as the entrypoint runs it (`java -jar <jar>`, from the same directory, so the
# archive's recorded class path matches), in the prod profile, with every connector enabled under
# placeholder credentials and an in-memory H2 database. No vendor is called at start-up. Camel stops it
# a second after it is up, and the JVM writes the classes it loaded to <archive> as it exits. Nothing
# else is kept.
#
# Using the archive: -XX:SharedArchiveFile=<archive> (the Dockerfile's JAVA_TOOL_OPTIONS). It holds only
# for this jar on this JDK, with compressed object pointers (a heap under 32 GiB): the JVM checks them.
# With another jar it loads paybridge's classes from the jar, as without the archive; with another JDK or
# a heap of 32 GiB or more it maps no shared classes at all, slower than with no archive named. Rebuild the
# archive with the jar.
set -eu
jar=${1:?usage: class-data-archive.sh <jar> <archive>}
archive=${2:?usage: class-data-archive.sh <jar> <archive>}
rm -f "$archive"
# the heap set here, not taken from the build machine's memory: a heap of 32 GiB or more would change
# how the JVM addresses objects, and an archive written that way is not used by a smaller container
env -u JAVA_TOOL_OPTIONS \
  CAMEL_MAIN_PROFILE=prod CAMEL_MAIN_DURATION_MAX_SECONDS=1 \
  PAYBRIDGE_DB_URL=jdbc:h2:mem:class-data-archive PAYBRIDGE_VENDORS=steppay,iamport,toss \
  PAYBRIDGE_API_KEY=class-data-archive STEPPAY_SECRET_TOKEN=class-data-archive \
  IAMPORT_API_KEY=class-data-archive IAMPORT_API_SECRET=class-data-archive TOSS_SECRET_KEY=class-data-archive \
  PAYBRIDGE_HTTP_PORT=${CLASS_DATA_HTTP_PORT:-8080} CAMEL_MANAGEMENT_PORT=${CLASS_DATA_MANAGEMENT_PORT:-9876} \
  java -Xmx512m -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar "$jar"
# a start that failed, or a JVM that could not write the archive, is said here, not at every start
[ -s "$archive" ] || { echo "class-data-archive.sh: no archive written to $archive" >&2; exit 1; }
# and an archive this JVM would not map: -Xshare:on fails where a start (-Xshare:auto) would go on without
# it (and, for some reasons, without the JDK's own shared classes too)
env -u JAVA_TOOL_OPTIONS java -Xshare:on -XX:SharedArchiveFile="$archive" -cp "$jar" -version >/dev/null 2>&1 \
  || { echo "class-data-archive.sh: $archive was written but this JVM does not map it" >&2; exit 1; }
echo "class-data-archive.sh: $archive written"
