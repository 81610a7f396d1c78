namespace MoodBot.Discord.Gateway;

/// <summary>The <c>d</c> of Resume (op 6): the session from READY and the last sequence number received.</summary>
internal sealed record ResumeCommand(string Token, string SessionId, long Seq)
{
    /// <summary>Without the token (a record would print it).</summary>
    public override string ToString() => $"Resume {SessionId} at {Seq}";
}
