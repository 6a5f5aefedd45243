-- +goose Up
-- Key-group attributes the group marks secret (the disability certificate
-- number holds the ID number) are sealed with the field key, as JSON, under
-- the field "memberships.attrs"; attrs keeps the others in clear. A key
-- rotation re-seals this column with the others named *_enc. The rotation
-- itself keeps its state in meta: key_id (the key the data is under) and,
-- while it runs, key_next (the key it moves the data to).
ALTER TABLE memberships ADD COLUMN attrs_enc BYTEA;

-- +goose Down
ALTER TABLE memberships DROP COLUMN attrs_enc;
