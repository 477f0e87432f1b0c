using DatahubExporter.Cli;

namespace DatahubExporter.Tests.Cli;

/// <summary>The message for a word no flag took, from the command line as <c>Program</c> parses it.</summary>
public class FlagSpellingTests
{
    [TestCase(new[] { "--once=maybe" }, "--once takes no value other than true or false, not \"maybe\"",
        TestName = "A_switch_given_a_word_takes_only_true_or_false")]
    [TestCase(new[] { "-demo=later" }, "--demo takes no value other than true or false, not \"later\"",
        TestName = "A_switch_in_the_Go_spelling_given_a_word_takes_only_true_or_false")]
    [TestCase(new[] { "--conf=extra", "extra" }, "unexpected argument \"extra\": flags are given as --name=value or --name value",
        TestName = "A_stray_word_equal_to_a_flag_value_is_not_blamed_on_that_flag")]
    [TestCase(new[] { "--cache.ttl=5", "5" }, "unexpected argument \"5\": flags are given as --name=value or --name value",
        TestName = "A_stray_number_equal_to_a_number_flag_value_is_not_blamed_on_that_flag")]
    [TestCase(new[] { "stray" }, "unexpected argument \"stray\": flags are given as --name=value or --name value",
        TestName = "A_stray_word_is_an_unexpected_argument")]
    [TestCase(new[] { "--cach.ttl=3" }, "unknown flag --cach.ttl; did you mean --cache.ttl?", TestName = "A_mistyped_flag_gets_the_nearest_name")]
    public void Unmatched_word_message(string[] args, string message)
    {
        var root = CliFlags.CreateCommand();
        var spelled = FlagSpelling.AcceptGoSpellings(args, root);
        var parsed = root.Parse(spelled);

        Assert.That(parsed.UnmatchedTokens, Is.Not.Empty);
        Assert.That(FlagSpelling.UnknownArgument(parsed.UnmatchedTokens[0], root, spelled), Is.EqualTo(message));
    }
}
