using YamlDotNet.RepresentationModel;

namespace DatahubExporter.WebConfig;

/// <summary><c>basic_auth_users</c>: user names and the bcrypt hashes they are checked against.</summary>
internal sealed partial class WebConfigReader
{
    /// <summary>The highest bcrypt cost accepted in <c>basic_auth_users</c>.</summary>
    public const int MaxCost = 15;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> DummyHashes = new();

    private Dictionary<string, string> ReadUsers(YamlNode node)
    {
        const string Section = "basic_auth_users";
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return users;
        }

        foreach (var (k, value) in AsMapping(node, Section).Children)
        {
            var user = KeyName(k, Section);
            if (user.Length == 0)
            {
                throw Error(k, Section, "empty user name");
            }

            // RFC 7617: the user-id cannot contain a colon, so such a user could never log in.
            if (user.Contains(':'))
            {
                throw Error(k, $"{Section}.{user}", "user names cannot contain ':'");
            }

            var full = $"{Section}.{user}";
            var hash = Str(value, full);
            if (string.IsNullOrEmpty(hash))
            {
                throw Error(k, full, "missing bcrypt password hash");
            }

            // The hash is a secret: the message describes the expected shape without echoing it.
            if (!Bcrypt.IsWellFormedHash(hash))
            {
                throw Error(k, full, "not a bcrypt hash (want $2a$, $2b$ or $2y$, a cost from 04 to 31 and 53 more characters)");
            }

            // Every failed login (and every unknown user) pays one hash at this cost: past 2^15 rounds that is
            // seconds per request, which a scraper cannot wait for and an attacker can use to load the CPU.
            if (Bcrypt.Cost(hash) > MaxCost)
            {
                throw Error(k, full, $"bcrypt cost {Bcrypt.Cost(hash)} is too high to check per request (at most {MaxCost}; 10 is usual)");
            }

            users[user] = hash;
        }

        return users;
    }
}
