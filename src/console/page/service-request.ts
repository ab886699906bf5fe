/** What the service answered, or why not (status 0: it could not be reached). */
export type ServiceAnswer<T> = { ok: true; value: T } | ServiceRefusal;
export type ServiceRefusal = { ok: false; status: number; error: string | undefined; message: string };

interface ErrorBody {
  error?: string;
  message?: string;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
}

/** A request with the page's token as a bearer token; a refusal carries the service's own message. */
async function send(
  path: string,
  token: string,
  { method = 'GET', body }: RequestOptions,
): Promise<ServiceAnswer<Response>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    return { ok: false, status: 0, error: undefined, message: 'the service cannot be reached' };
  }
  if (response.ok) return { ok: true, value: response };
  const refusal = ((await response.json().catch(() => undefined)) ?? {}) as ErrorBody;
  return {
    ok: false,
    status: response.status,
    error: refusal.error,
    message: refusal.message ?? `HTTP ${response.status}`,
  };
}

/** A JSON answer. */
export async function askService<T>(
  path: string,
  token: string,
  options: RequestOptions = {},
): Promise<ServiceAnswer<T>> {
  const answer = await send(path, token, options);
  return answer.ok ? { ok: true, value: (await answer.value.json()) as T } : answer;
}

/** A file to save (an export): a link cannot send the token in a header, so the page fetches it. */
export async function fetchFile(path: string, token: string): Promise<ServiceAnswer<Blob>> {
  const answer = await send(path, token, {});
  return answer.ok ? { ok: true, value: await answer.value.blob() } : answer;
}
