import { ApiError, type Api } from '../api';
import { h } from '../ui/dom';

function field(doc: Document, id: string, label: string, input: HTMLElement): HTMLElement {
  return h(doc, 'p', { class: 'field' }, h(doc, 'label', { for: id }, label), input);
}

function message(err: unknown): string {
  if (err instanceof ApiError && err.status === 401) return 'Wrong username or password.';
  return err instanceof Error ? err.message : String(err);
}

/** Sign-in by username and password (session cookie) or by a pasted API token. */
export function signInView(doc: Document, api: Api, onSignedIn: () => Promise<void>, notice = ''): HTMLElement {
  const error = h(doc, 'p', { class: 'error', role: 'alert', 'data-testid': 'signin-error' }, notice);
  const username = h(doc, 'input', { id: 'signin-username', name: 'username', autocomplete: 'username', required: true, 'data-testid': 'signin-username' }) as HTMLInputElement;
  const password = h(doc, 'input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'signin-password' }) as HTMLInputElement;
  const submit = h(doc, 'button', { type: 'submit', 'data-testid': 'signin-submit' }, 'Sign in') as HTMLButtonElement;
  const form = h(doc, 'form', { class: 'signin', 'data-testid': 'signin-form' }, h(doc, 'h2', {}, 'Sign in'), field(doc, 'signin-username', 'Username', username), field(doc, 'signin-password', 'Password', password), submit);

  const token = h(doc, 'input', { id: 'signin-token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'data-testid': 'signin-token' }) as HTMLInputElement;
  const tokenSubmit = h(doc, 'button', { type: 'submit', 'data-testid': 'signin-token-submit' }, 'Use token') as HTMLButtonElement;
  const tokenForm = h(doc, 'form', { class: 'signin-token' }, h(doc, 'h3', {}, 'Or use an API token'), field(doc, 'signin-token', 'API token', token), tokenSubmit);

  async function attempt(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
    error.textContent = '';
    button.disabled = true;
    try {
      await action();
      await onSignedIn();
    } catch (err) {
      error.textContent = message(err);
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt(submit, () => api.signIn(username.value.trim(), password.value));
  });
  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt(tokenSubmit, async () => {
      api.useToken(token.value);
      try {
        await api.me();
      } catch (err) {
        api.useToken('');
        if (err instanceof ApiError && err.status === 401) throw new Error('That token was not accepted.');
        throw err;
      }
    });
  });
  return h(doc, 'main', { class: 'signin-page', id: 'main' }, h(doc, 'h1', {}, 'IOP Outcomes'), form, tokenForm, error);
}
