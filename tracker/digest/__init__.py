"""The Slack digest: content (the numbers) -> text (the sentences) -> blocks (Block Kit) -> post.

`content` and `text` are pure; `facts` reads the store through the counting path; `post`
previews or posts a digest exactly once per period and destination and records it.
"""
