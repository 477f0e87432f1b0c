namespace CkafkaSimulator;

/// <summary>
/// Temporary credentials the simulator accepts, as a CVM role or STS would hand them out: the pair signs,
/// the token must come with it in <c>X-TC-Token</c>, and neither works from <see cref="ExpiresAt"/> on or once
/// revoked (<see cref="SimulatorState.RevokeTemporaryKey"/>).
/// </summary>
/// <param name="Account">The <see cref="SimulatedAccount"/> an <c>AssumeRole</c> key signs as; null for the default account.</param>
public sealed record TemporaryKey(string SecretId, string SecretKey, string Token, DateTimeOffset ExpiresAt, SimulatedAccount? Account = null);
