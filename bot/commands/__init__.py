"""Commands and card verbs: the registry they are declared in, the dispatcher that runs them and
the rule that keeps personal answers in personal chats."""
