using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MoodBot.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DropSpotifyUserId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "spotify_user_id",
                table: "linked_accounts");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "spotify_user_id",
                table: "linked_accounts",
                type: "TEXT",
                maxLength: 128,
                nullable: true);
        }
    }
}
