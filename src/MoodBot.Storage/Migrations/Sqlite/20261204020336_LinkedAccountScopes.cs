using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MoodBot.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LinkedAccountScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "scopes",
                table: "linked_accounts",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "scopes",
                table: "linked_accounts");
        }
    }
}
