"""Pages for people who are not admins: "My learning" and a Team Manager's "My groups"."""
