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
WORKDIR /app
COPY --from=build /app ./
COPY sql/postgres-tables.sql ./sql/
ENV Urls=http://0.0.0.0:8888 \
    JTS_CONFIG_DIR=/config \
    Logging__Format=json
EXPOSE 8888
USER $APP_UID
ENTRYPOINT ["dotnet", "JobTemplateService.dll"]
