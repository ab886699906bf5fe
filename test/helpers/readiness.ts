/** Polls a service's `/readyz` until it answers `status`; resolves to that answer's body. */
export async function readiness(http: string, status: number): Promise<unknown> {
  for (;;) {
    const response = await fetch(`${http}/readyz`);
    if (response.status === status) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
