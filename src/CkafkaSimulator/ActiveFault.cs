namespace CkafkaSimulator;

/// <summary>A fault installed in <see cref="SimulatorState"/>, as reported by <see cref="SimulatorState.Faults"/>.</summary>
/// <param name="Fault">What it does.</param>
/// <param name="Action">The action it applies to; null for all.</param>
/// <param name="Region">The region it applies to; null for all.</param>
/// <param name="Remaining">How many more requests it affects; null while persistent.</param>
/// <param name="Applied">How many requests it has affected so far.</param>
public sealed record ActiveFault(Fault Fault, string? Action, string? Region, int? Remaining, long Applied);
