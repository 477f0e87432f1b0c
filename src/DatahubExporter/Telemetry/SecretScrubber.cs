using System.Buffers;
using DatahubExporter.Configuration;

namespace DatahubExporter.Telemetry;

/// <summary>
/// The one place that knows the secrets in use and masks them in text: the key and token become <c>****</c>, the
/// full SecretId its masked form. Fed by the credential providers as they hand keys out (<see cref="Process"/>: the
/// configured static keys and every key pair a role source fetches), and used by the logger, by error texts and by
/// the label values the scrape paths export (issue 16 item 5: a task's <c>ErrorMessage</c> holding the key was
/// exported verbatim). Keeps the latest <see cref="MaxSecrets"/>. <see cref="Mask(string, Credentials)"/> applies the same masks
/// to the secrets of one call (server answers), the only other place secrets are masked. Thread-safe; <see cref="Scrub"/> takes no lock.
/// </summary>
internal sealed class SecretScrubber
{
    /// <summary>Values shorter than this are not scrubbed: too likely to be ordinary words.</summary>
    public const int MinimumSecretLength = 6;

    private const int MaxSecrets = 64;

    private readonly Lock _gate = new();

    // The secrets in the order they were protected, for evicting the oldest; guarded by _gate.
    private readonly List<KeyValuePair<string, string>> _protectedInOrder = [];

    // Secret → what stands in its place, longest first, and all of them as one vectorised search (a label value that holds
    // none, i.e. nearly all of 10,000 tasks' per collection, costs one pass); replaced whole on change so a reader
    // never sees half an update.
    private volatile Snapshot _snapshot = new([], null);

    /// <summary>The process's scrubber: every credential provider feeds it, the logger and the exposition read it.</summary>
    public static SecretScrubber Process { get; } = new();

    /// <summary>True while no secret is known: callers on a hot path skip their work.</summary>
    public bool IsEmpty => _snapshot.Any is null;

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
            _snapshot = new(_protectedInOrder.OrderByDescending(p => p.Key.Length).ToArray(),
                SearchValues.Create(_protectedInOrder.Select(p => p.Key).ToArray(), StringComparison.Ordinal));
        }
    }

    /// <summary><paramref name="text"/> with every known secret masked; the same instance when it holds none.</summary>
    public string Scrub(string text)
    {
        var snapshot = _snapshot;
        if (snapshot.Any is null || text.Length < MinimumSecretLength || text.AsSpan().IndexOfAny(snapshot.Any) < 0)
        {
            return text;
        }

        foreach (var (secret, mask) in snapshot.Secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>
    /// <paramref name="text"/> with the secrets of one key pair masked as <see cref="Scrub"/> masks them (key and token
    /// <c>****</c>, SecretId its masked form), whether or not they are protected process-wide yet, and however short:
    /// for text answered to a call signed with them (an API or STS error message), before anyone decides where it goes.
    /// </summary>
    public static string Mask(string text, Credentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        text = Mask(text, credentials.SecretKey);
        text = Mask(text, credentials.Token);
        // Tencent's own messages quote it in full ("The SecretId 'AKID…' is not found").
        return credentials.SecretId.Length > 0 ? text.Replace(credentials.SecretId, credentials.MaskedSecretId, StringComparison.Ordinal) : text;
    }

    /// <summary><paramref name="text"/> with <paramref name="secret"/> (a key, a token, the web-identity token) as <c>****</c>.</summary>
    public static string Mask(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "****", StringComparison.Ordinal);

    private void Add(string? value, string mask)
    {
        if (value is { Length: >= MinimumSecretLength } && !_protectedInOrder.Any(p => p.Key == value))
        {
            _protectedInOrder.Add(new(value, mask));
        }
    }

    private sealed record Snapshot(KeyValuePair<string, string>[] Secrets, SearchValues<string>? Any);
}
