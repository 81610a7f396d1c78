using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MoodBot.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_tracks",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 22, nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    artists = table.Column<string>(type: "TEXT", nullable: false),
                    genres = table.Column<string>(type: "TEXT", nullable: false),
                    popularity = table.Column<int>(type: "INTEGER", nullable: false),
                    valence = table.Column<double>(type: "REAL", nullable: false),
                    energy = table.Column<double>(type: "REAL", nullable: false),
                    danceability = table.Column<double>(type: "REAL", nullable: true),
                    acousticness = table.Column<double>(type: "REAL", nullable: true),
                    tempo = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_tracks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "guild_settings",
                columns: table => new
                {
                    guild_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    default_mode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    default_genre = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    track_count = table.Column<int>(type: "INTEGER", nullable: true),
                    updated_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_guild_settings", x => x.guild_id);
                });

            migrationBuilder.CreateTable(
                name: "linked_accounts",
                columns: table => new
                {
                    discord_user_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    protected_refresh_token = table.Column<string>(type: "TEXT", nullable: false),
                    spotify_user_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    linked_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_linked_accounts", x => x.discord_user_id);
                });

            migrationBuilder.CreateTable(
                name: "moodbot_schema",
                columns: table => new
                {
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    applied_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moodbot_schema", x => x.version);
                });

            migrationBuilder.CreateTable(
                name: "oauth_states",
                columns: table => new
                {
                    state = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    discord_user_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    protected_code_verifier = table.Column<string>(type: "TEXT", nullable: false),
                    expires_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oauth_states", x => x.state);
                });

            migrationBuilder.CreateTable(
                name: "recommendation_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    emotion = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    track_ids = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recommendation_history", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_oauth_states_expires",
                table: "oauth_states",
                column: "expires_at_ms");

            migrationBuilder.CreateIndex(
                name: "ix_recommendation_history_user",
                table: "recommendation_history",
                columns: new[] { "user_key", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalog_tracks");

            migrationBuilder.DropTable(
                name: "guild_settings");

            migrationBuilder.DropTable(
                name: "linked_accounts");

            migrationBuilder.DropTable(
                name: "moodbot_schema");

            migrationBuilder.DropTable(
                name: "oauth_states");

            migrationBuilder.DropTable(
                name: "recommendation_history");
        }
    }
}
