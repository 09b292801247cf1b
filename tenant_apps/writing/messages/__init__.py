"""Order messages of a writing site: the thread of an order between client, writer, editor and
support, with contact details masked."""
