# Build: docker build -t jobtemplateservice .
# Run:   docker run -p 8888:8888 -v "$PWD/config:/config:ro" -e JTS_CONFIG_DIR=/config jobtemplateservice
#        (database.ini and platform.ini in ./config, or every key as an environment variable)
# Migrate the database first (a deploy step; needs database.ini only):
#        docker run --rm -v "$PWD/config:/config:ro" -e JTS_CONFIG_DIR=/config jobtemplateservice migrate
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props ./
COPY src/JobTemplateService/JobTemplateService.csproj src/JobTemplateService/
RUN dotnet restore src/JobTemplateService/JobTemplateService.csproj
COPY src/JobTemplateService/ src/JobTemplateService/
COPY sql/migrations/ sql/migrations/
RUN dotnet publish src/JobTemplateService/JobTemplateService.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# Local jobs never run as the service's user: as root the service runs them as jts-job (in a PID
# namespace of their own, which needs CAP_SYS_ADMIN); as the default non-root user it refuses
# local commands while RunAsUser names another user. Prefer the Kubernetes platform in a cluster.
RUN useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jts-job
WORKDIR /app
COPY --from=build /app ./
COPY sql/postgres-tables.sql ./sql/
ENV Urls=http://0.0.0.0:8888 \
    JTS_CONFIG_DIR=/config \
    Logging__Format=json \
    LocalPlatform__RunAsUser=jts-job
EXPOSE 8888
USER $APP_UID
ENTRYPOINT ["dotnet", "JobTemplateService.dll"]
