// The API token (MASTGRAPH_API_TOKEN on the server): asked once, when the API answers 401, and kept
// for the tab in sessionStorage. Shared by the explorer and the GraphiQL page.
const KEY = "mastgraph.token";
let asking = null;

export function authHeaders() {
  const token = sessionStorage.getItem(KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// fetch() with the token; on 401 asks for it (once per wrong answer) and retries.
export async function authFetch(url, init = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, { ...init, headers: { ...(init.headers || {}), ...authHeaders() } });
    if (response.status !== 401 || attempt >= 3) return response;
    const token = await askToken(attempt > 0);
    if (!token) return response;
    sessionStorage.setItem(KEY, token);
  }
}

function askToken(wrong) {
  if (!asking) {
    asking = new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "token-dialog";
      dialog.setAttribute("aria-labelledby", "token-title");
      dialog.innerHTML = `
        <form method="dialog">
          <h2 id="token-title">This mastgraph server needs its API token</h2>
          <p>${wrong ? "<strong role=alert>That token was refused.</strong> " : ""}Ask the server's operator for
          <code>MASTGRAPH_API_TOKEN</code>. It is kept for this tab only.</p>
          <label for="token-input">API token</label>
          <input id="token-input" name="token" type="password" autocomplete="off" required>
          <div class="token-buttons"><button value="cancel" formnovalidate>Cancel</button>
          <button value="ok" id="token-ok">Use token</button></div>
        </form>`;
      document.body.append(dialog);
      dialog.addEventListener("close", () => {
        const value = dialog.returnValue === "ok" ? dialog.querySelector("input").value.trim() : "";
        dialog.remove();
        asking = null;
        resolve(value);
      });
      dialog.showModal();
      dialog.querySelector("input").focus();
    });
  }
  return asking;
}
