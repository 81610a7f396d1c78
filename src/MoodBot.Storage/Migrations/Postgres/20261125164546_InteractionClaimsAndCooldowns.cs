using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MoodBot.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InteractionClaimsAndCooldowns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "moodbot_schema");

            migrationBuilder.CreateTable(
                name: "interaction_claims",
                columns: table => new
                {
                    interaction_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    claimed_at_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_interaction_claims", x => x.interaction_id);
                });

            migrationBuilder.CreateTable(
                name: "member_cooldowns",
                columns: table => new
                {
                    member_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    until_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_member_cooldowns", x => x.member_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_interaction_claims_claimed_at",
                table: "interaction_claims",
                column: "claimed_at_ms");

            migrationBuilder.CreateIndex(
                name: "ix_member_cooldowns_until",
                table: "member_cooldowns",
                column: "until_ms");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "interaction_claims");

            migrationBuilder.DropTable(
                name: "member_cooldowns");

            migrationBuilder.CreateTable(
                name: "moodbot_schema",
                columns: table => new
                {
                    version = table.Column<int>(type: "integer", nullable: false),
                    applied_at_ms = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moodbot_schema", x => x.version);
                });
        }
    }
}
