"""Order files of a writing site: the client's attachments, the writer's drafts and finals."""
