-- The operator hands a tenant to its coach with an invitation of the owner: provisioning makes
-- the owner without a password, and accepting an `owner` invitation sets it (it never makes a
-- second owner).
ALTER TABLE invitations DROP CONSTRAINT invitations_role;
ALTER TABLE invitations ADD CONSTRAINT invitations_role
    CHECK (role IN ('owner', 'admin', 'coach', 'client'));
