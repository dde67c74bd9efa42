// What a use case answers: a status with its RFC 7644 meaning (200, 201, 204, 304), the headers
// that belong to it (ETag, Location) and a body. Handlers send it as is; errors are ScimErrors.
export interface ScimResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
