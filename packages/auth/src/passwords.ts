// The password rule, in one place: the server enforces it (better-auth, the users API) and the
// forms say it before a request is sent. Client-safe: no server imports.
export const MIN_PASSWORD_LENGTH = 10;
