// The credential inside an Authorization header value, as identity providers actually send it.
// RFC 6750 says `Bearer <token>`, the scheme is case-insensitive (RFC 7235 §2.1), and clients
// differ in the details: lower-case `bearer`, several spaces or a tab after the scheme, trailing
// whitespace, or (custom scripts, some IdP "API key" header modes) the bare token with no scheme.

// `Bearer Bearer <token>`: an admin pasted the whole header value into a token field (Entra).
const BEARER = /^\s*bearer\s+(?:bearer\s+)?(\S+)\s*$/i;
const BARE = /^\s*(\S+)\s*$/;

/** The token, or undefined when the value has another scheme or more than one credential. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const bearer = BEARER.exec(authorization);
  if (bearer) return bearer[1];
  // A bare value is only taken as a token if it looks like one of ours (checked by the caller);
  // `Basic xyz` and the like have a space and never get here.
  return BARE.exec(authorization)?.[1];
}
