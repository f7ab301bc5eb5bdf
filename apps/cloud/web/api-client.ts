/** The dashboard's one door to `/api/v1`: bearer token on every call, JSON errors as `ApiError`. */

/** A failed API call: HTTP status and the API's stable error code (or `HTTP_<status>`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True for 404: the thing, or the endpoint itself, is not there (yet). */
  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Calls the API with one bearer token. */
export class ApiClient {
  constructor(
    readonly token: string,
    private readonly base = '/api/v1',
  ) {}

  /** GET `path` (relative to `/api/v1`) as JSON. */
  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** POST `body` as JSON to `path`. */
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** DELETE `path`. */
  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  /** URL of an event stream; EventSource cannot send headers, so the token rides in the query. */
  eventsUrl(path: string): string {
    return `${this.base}${path}?token=${encodeURIComponent(this.token)}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `the cloud did not answer (${String(error)})`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? (text.slice(0, 200) || response.statusText),
      );
    }
    return parsed as T;
  }
}
