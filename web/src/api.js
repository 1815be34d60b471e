// The public GraphQL API, the only way the page reaches the data (plus /prov/ links).
import { authFetch } from "./token.js";

export class ApiError extends Error {}

// Requests under way (tests and the benchmark wait for 0: the page is idle).
export const pending = { count: 0 };

export async function graphql(query, variables = {}) {
  pending.count += 1;
  try {
    return await ask(query, variables);
  } finally {
    pending.count -= 1;
  }
}

async function ask(query, variables) {
  const response = await authFetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the API answered HTTP ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  if (!response.ok) throw new ApiError(`the API answered HTTP ${response.status}`);
  return body.data;
}

export async function serverConfig() {
  const response = await authFetch("/explorer/config.json");
  return response.ok ? response.json() : { neo4jBrowser: null };
}
