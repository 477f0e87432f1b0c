using DatahubExporter.Configuration;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The one place that knows the secrets in use and masks them in text: the key and token become <c>****</c>, the
/// full SecretId its masked form. Fed by the credential providers as they hand keys out (<see cref="Process"/>: the
/// configured static keys and every key pair a role source fetches), and used by the logger, by error texts and by
/// the label values the scrape paths export (issue 16 item 5: a task's <c>ErrorMessage</c> holding the key was
/// exported verbatim). Keeps the latest <see cref="MaxSecrets"/>. Thread-safe; <see cref="Scrub"/> takes no lock.
/// </summary>
internal sealed class SecretScrubber
{
    /// <summary>Values shorter than this are not scrubbed: too likely to be ordinary words.</summary>
    public const int MinimumSecretLength = 6;

    private const int MaxSecrets = 64;

    private readonly Lock _gate = new();

    // The secrets in the order they were protected, for evicting the oldest; guarded by _gate.
    private readonly List<KeyValuePair<string, string>> _protectedInOrder = [];

    // Secret → what stands in its place, longest first; replaced whole on change so a reader never sees half an update.
    private volatile KeyValuePair<string, string>[] _secrets = [];

    /// <summary>The process's scrubber: every credential provider feeds it, the logger and the exposition read it.</summary>
    public static SecretScrubber Process { get; } = new();

    /// <summary>True while no secret is known: callers on a hot path skip their work.</summary>
    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>From now on <paramref name="credentials"/>' key, token and SecretId are masked. Idempotent.</summary>
    public void Protect(Credentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        lock (_gate)
        {
            var before = _protectedInOrder.Count;
            Add(credentials.SecretKey, "****");
            Add(credentials.Token, "****");
            Add(credentials.SecretId, credentials.MaskedSecretId);
            if (_protectedInOrder.Count == before)
            {
                return;
            }

            // The oldest go first when the list is full (in the order they were protected, not by length).
            if (_protectedInOrder.Count > MaxSecrets)
            {
                _protectedInOrder.RemoveRange(0, _protectedInOrder.Count - MaxSecrets);
            }

            // Longest first, so a secret containing another is replaced whole.
            _secrets = _protectedInOrder.OrderByDescending(p => p.Key.Length).ToArray();
        }
    }

    /// <summary><paramref name="text"/> with every known secret masked; the same instance when it holds none.</summary>
    public string Scrub(string text)
    {
        if (text.Length < MinimumSecretLength)
        {
            return text;
        }

        foreach (var (secret, mask) in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private void Add(string? value, string mask)
    {
        if (value is { Length: >= MinimumSecretLength } && !_protectedInOrder.Any(p => p.Key == value))
        {
            _protectedInOrder.Add(new(value, mask));
        }
    }
}
