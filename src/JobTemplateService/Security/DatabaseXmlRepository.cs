using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace JobTemplateService.Security;

/// <summary>
/// Data Protection's key ring in streamsets.data_protection_key (its documented extension point,
/// IXmlRepository), so every replica reads the keys any replica made. Data Protection calls it
/// synchronously, rarely (at first use and on key rollover).
/// </summary>
internal sealed class DatabaseXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<string>("SELECT xml FROM streamsets.data_protection_key ORDER BY created_at, friendly_name")
            .Select(xml => XElement.Parse(xml)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource.OpenConnection();
        connection.Execute("""
            INSERT INTO streamsets.data_protection_key (friendly_name, xml) VALUES (@friendlyName, @xml)
            ON CONFLICT (friendly_name) DO NOTHING
            """, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
