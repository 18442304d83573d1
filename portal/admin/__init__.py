"""Administration: institutions, councils, memberships, roles, deactivating users."""
