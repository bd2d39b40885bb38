"""Local HTTP stand-ins for Slack and OpenAI, driven by the real SDKs in tests and bench/.

Import from the modules (`tests.fakes.slack_api.FakeSlack`, `tests.fakes.openai_api.FakeOpenAI`,
`tests.fakes.slack_blocks.validate_blocks`): re-exporting them here would make
`python -m tests.fakes.slack_api` load its module twice.
"""
