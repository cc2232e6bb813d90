// Progressive enhancement for the admin pages. Every page works without it;
// it is served from this origin (the admin pages' CSP allows script-src 'self'
// and nothing inline).

// An editor left with changes in it asks before the page goes.
for (const form of document.querySelectorAll('form[data-guard]')) {
  let dirty = false;
  form.addEventListener('input', () => { dirty = true; });
  form.addEventListener('submit', () => { dirty = false; });
  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}

// The YAML editor: line numbers beside it, and each error's line a link that
// selects that line.
const yaml = document.querySelector('textarea[data-lines]');
if (yaml) {
  const gutter = document.createElement('pre');
  gutter.className = 'gutter';
  gutter.setAttribute('aria-hidden', 'true');
  const number = () => {
    const count = yaml.value.split('\n').length;
    gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join('\n');
  };
  number();
  yaml.addEventListener('input', number);
  yaml.addEventListener('scroll', () => { gutter.scrollTop = yaml.scrollTop; });
  const wrap = document.createElement('div');
  wrap.className = 'with-gutter';
  yaml.parentNode.insertBefore(wrap, yaml);
  wrap.append(gutter, yaml);
  const goTo = (line) => {
    const lines = yaml.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    yaml.focus();
    yaml.setSelectionRange(start, start + (lines[line - 1] || '').length);
    const height = yaml.scrollHeight / lines.length;
    yaml.scrollTop = Math.max(0, (line - 3) * height);
  };
  for (const link of document.querySelectorAll('a[data-line]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      goTo(Number(link.dataset.line));
    });
  }
  const first = document.querySelector('a[data-line]');
  if (first) goTo(Number(first.dataset.line));
}

// Copy buttons: <button type="button" data-copy="#id" hidden> copies that
// element's value or text (shown only where script runs).
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const source = document.querySelector(button.dataset.copy);
    await navigator.clipboard.writeText(source.value ?? source.textContent);
    button.textContent = 'Copied';
  });
}

// Drag and drop onto a file input marked data-drop (the plain input stays).
for (const input of document.querySelectorAll('input[type=file][data-drop]')) {
  const zone = input.closest('.dropzone') || input.parentElement;
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

// The navigation's count of what needs the caller's attention.
const attention = document.querySelector('[data-attention]');
if (attention) {
  fetch(attention.dataset.attention, { credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : { count: 0 }))
    .then(({ count }) => {
      if (count > 0) {
        attention.textContent = String(count);
        attention.title = `${count} waiting`;
        attention.hidden = false;
      }
    })
    .catch(() => {});
}
