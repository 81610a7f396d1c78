using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MoodBot.Storage;

/// <summary>The SQLite flavour of <see cref="MoodBotDbContext"/>; its migrations live in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteMoodBotDbContext(DbContextOptions<SqliteMoodBotDbContext> options) : MoodBotDbContext(options);

/// <summary>The PostgreSQL flavour of <see cref="MoodBotDbContext"/>; its migrations live in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresMoodBotDbContext(DbContextOptions<PostgresMoodBotDbContext> options) : MoodBotDbContext(options);

/// <summary>
/// Lets <c>dotnet ef migrations add … --context SqliteMoodBotDbContext</c> build the context without a host. Scaffolding
/// never opens the database, so the file name is only a placeholder.
/// </summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteMoodBotDbContext>
{
    public SqliteMoodBotDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMoodBotDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>The PostgreSQL counterpart of <see cref="SqliteDesignTimeFactory"/>; no server is contacted while scaffolding.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresMoodBotDbContext>
{
    public PostgresMoodBotDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMoodBotDbContext>().UseNpgsql("Host=localhost;Database=moodbot_design").Options);
}
