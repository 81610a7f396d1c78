# MoodBot container: the SDK stage builds and publishes, the runtime stage carries only the app, its models, the
# shipped catalog and GTK (OpenCV's native library links against it). Secrets come from the environment or a mounted
# file, never the image. x86-64 only: OpenCvSharp's native runtime package ships linux-x64 binaries alone.
#
# Base images: .NET 10 ships no Debian images, so the SDK stage uses Ubuntu 24.04 "noble" (the 10.0-noble tag of
# mcr.microsoft.com/dotnet/sdk) and the app is published self-contained onto debian:bookworm-slim, whose packages
# (scripts/runtime-packages.txt) scripts/rootfs-check.sh installs and runs without a container engine.

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# Restore first, from the project files only, so source edits don't invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MoodBot.Core/*.csproj src/MoodBot.Core/
COPY src/MoodBot.Vision/*.csproj src/MoodBot.Vision/
COPY src/MoodBot.Music/*.csproj src/MoodBot.Music/
COPY src/MoodBot.Storage/*.csproj src/MoodBot.Storage/
COPY src/MoodBot.Spotify/*.csproj src/MoodBot.Spotify/
COPY src/MoodBot.Discord/*.csproj src/MoodBot.Discord/
COPY src/MoodBot/*.csproj src/MoodBot/
RUN dotnet restore src/MoodBot/MoodBot.csproj -r linux-x64 -p:SelfContained=true
COPY appsettings.json ./
COPY models/ models/
COPY catalog/ catalog/
COPY src/ src/
RUN dotnet restore src/MoodBot/MoodBot.csproj -r linux-x64 -p:SelfContained=true \
 && dotnet publish src/MoodBot/MoodBot.csproj -c Release -r linux-x64 --self-contained true --no-restore -o /app

FROM debian:bookworm-slim AS runtime
COPY scripts/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && grep -v '^#' /tmp/runtime-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
RUN useradd -K SYS_UID_MAX=10001 --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin moodbot \
 && mkdir -p /data && chown moodbot /data
WORKDIR /app
COPY --from=build /app ./
ENV DOTNET_gcServer=0 \
    ASPNETCORE_URLS=http://0.0.0.0:8080 \
    MoodBot__Storage__SqlitePath=/data/moodbot.db
VOLUME ["/data"]
EXPOSE 8080
USER moodbot
# The binary probes its own /healthz (no curl in the image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/app/moodbot", "healthcheck"]
ENTRYPOINT ["/app/moodbot"]
