namespace DatahubExporter.Http;

/// <summary>
/// Wraps the log provider so that Kestrel's "connection rejected: too many connections" warning, one per refused
/// connection, becomes at most one line a minute that says how many were refused since the last one. Every other
/// record passes through untouched. Thread-safe.
/// </summary>
internal sealed class ConnectionRejectionLog(ILoggerProvider inner, int maxConnections, TimeProvider time) : ILoggerProvider
{
    /// <summary>The least time between two lines about refused connections.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const string KestrelConnections = "Microsoft.AspNetCore.Server.Kestrel.Connections";

    private long _refused;
    private long _nextLine = long.MinValue;

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == KestrelConnections ? new Throttled(this, logger, inner.CreateLogger("DatahubExporter.Http.Connections")) : logger;
    }

    public void Dispose()
    {
        // The inner provider belongs to whoever made it.
    }

    private void Refused(ILogger ours)
    {
        var refused = Interlocked.Increment(ref _refused);
        var now = time.GetTimestamp();
        var next = Interlocked.Read(ref _nextLine);
        if (now < next || Interlocked.CompareExchange(ref _nextLine, now + (long)(Interval.TotalSeconds * time.TimestampFrequency), next) != next)
        {
            return;
        }

        Interlocked.Add(ref _refused, -refused);
        ours.LogWarning("connections refused: the limit of concurrent connections was reached limit={Limit} refused={Refused} interval={Interval}",
            maxConnections, refused, "1m");
    }

    private sealed class Throttled(ConnectionRejectionLog owner, ILogger kestrel, ILogger ours) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => kestrel.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || kestrel.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "ConnectionRejected")
            {
                owner.Refused(ours);
                return;
            }

            kestrel.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
