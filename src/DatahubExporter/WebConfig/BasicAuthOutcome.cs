namespace DatahubExporter.WebConfig;

/// <summary>What <see cref="BasicAuthVerifier.CheckAsync"/> decided about one set of credentials.</summary>
internal enum BasicAuthOutcome
{
    Ok,
    UnknownUser,
    WrongPassword,

    /// <summary>Not checked: every bcrypt slot was taken. The client may try again shortly.</summary>
    Busy,
}
