using LlmCourse.Generation;
using LlmCourse.Model;

namespace LlmCourse.Tests.Lenses;

public class CachedConversationTests
{
    private const int Vocab = 40;

    [Fact]
    public void A_reply_from_the_conversation_cache_equals_greedy_generation()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        int[] prompt = [3, 14, 15, 9, 2, 6];
        var expected = TextGenerator.Generate(model, prompt, new GenerationOptions { MaxNewTokens = 7, Sampling = SamplingSettings.Greedy }).Generated;

        using var conversation = new CachedConversation(model);
        conversation.Read(prompt);
        var reply = conversation.Reply(7, stopId: -1);

        Assert.Equal(expected, reply);
        Assert.Equal(prompt.Length + 7, conversation.Length);
        Assert.True(conversation.CacheBytes > 0);
    }

    [Fact]
    public void A_second_turn_continues_the_same_cache_and_a_new_conversation_starts_empty()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var first = new CachedConversation(model);
        first.Read([1, 2, 3]);
        first.Reply(2, stopId: -1);
        first.Read([4, 5]);
        Assert.Equal(7, first.Length);

        using var second = new CachedConversation(model);
        Assert.Equal(0, second.Length);
        Assert.Equal(0, second.CacheBytes);
    }

    [Fact]
    public void The_stop_token_ends_the_reply_and_is_not_returned()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var probe = new CachedConversation(model);
        probe.Read([7, 8, 9]);
        var firstToken = probe.Reply(1, stopId: -1)[0];

        using var conversation = new CachedConversation(model);
        conversation.Read([7, 8, 9]);
        Assert.Empty(conversation.Reply(5, stopId: firstToken));
        Assert.Equal(4, conversation.Length); // the stop token was read into the cache, as an end-of-turn marker is
    }

    [Fact]
    public void Outgrowing_the_context_or_replying_to_nothing_is_a_clear_error()
    {
        using var model = new GptModel(GptConfig.Tiny(Vocab));
        using var conversation = new CachedConversation(model);
        Assert.Throws<InvalidOperationException>(() => conversation.Reply(3, 0));
        var tooLong = Enumerable.Repeat(1, model.Config.ContextLength + 1).ToArray();
        Assert.Contains("context", Assert.Throws<ArgumentException>(() => conversation.Read(tooLong)).Message);
    }
}
