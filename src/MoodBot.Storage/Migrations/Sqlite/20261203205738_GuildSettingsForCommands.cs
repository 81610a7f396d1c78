using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MoodBot.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GuildSettingsForCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "cooldown_seconds",
                table: "guild_settings",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "public_channel_ids",
                table: "guild_settings",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "replies_public",
                table: "guild_settings",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "cooldown_seconds",
                table: "guild_settings");

            migrationBuilder.DropColumn(
                name: "public_channel_ids",
                table: "guild_settings");

            migrationBuilder.DropColumn(
                name: "replies_public",
                table: "guild_settings");
        }
    }
}
