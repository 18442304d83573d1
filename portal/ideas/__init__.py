"""Citizens' ideas: idea pages, co-creators, sparring agents' answers, answer times and moderation."""
