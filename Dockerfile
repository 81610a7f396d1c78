# syntax=docker/dockerfile:1
# MoodBot container: SDK stage builds and publishes, runtime stage carries only the app, its models and GTK
# (OpenCV's native library links against it). Secrets come from the environment or a mounted file, never the image.

FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
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
RUN dotnet restore src/MoodBot/MoodBot.csproj -r linux-x64
COPY appsettings.json ./
COPY models/ models/
COPY src/ src/
RUN dotnet restore src/MoodBot/MoodBot.csproj -r linux-x64 \
 && dotnet publish src/MoodBot/MoodBot.csproj -c Release -r linux-x64 --self-contained false --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgtk-3-0 libdrm2 libatomic1 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin moodbot \
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
