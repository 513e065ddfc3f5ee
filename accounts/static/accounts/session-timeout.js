// The session timeout warning (GOV.UK pattern). Two minutes before a signed-in session ends for doing
// nothing, a modal dialog offers "Stay signed in" (which tells the server the session is in use) or
// "Sign out". Escape means stay. Without JavaScript the session simply ends and the sign-in page says why.
const dialog = document.getElementById('session-timeout')

if (dialog && typeof dialog.showModal === 'function') {
  const keepAlive = dialog.querySelector('form[data-timeout-keep-alive]')
  const stayButton = dialog.querySelector('[data-timeout-stay]')
  const warnMs = Number(dialog.dataset.warnSeconds) * 1000
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000
  let warnTimer = null
  let endTimer = null
  let returnFocus = null

  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(open, Math.max(0, deadline - warnMs - Date.now()))
    // A second late, so the server agrees the session is over.
    endTimer = setTimeout(signedOut, Math.max(0, deadline - Date.now() + 1000))
  }

  const open = () => {
    if (dialog.open) return
    returnFocus = document.activeElement
    dialog.showModal()
    stayButton.focus()
  }

  const close = () => {
    if (dialog.open) dialog.close()
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
  }

  const signedOut = () => {
    const here = window.location.pathname + window.location.search
    window.location.assign(dialog.dataset.signedOutUrl + '?next=' + encodeURIComponent(here))
  }

  const stay = async (event) => {
    if (event) event.preventDefault()
    let response
    try {
      response = await fetch(keepAlive.action, {
        method: 'POST',
        body: new FormData(keepAlive),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
    } catch (error) {
      keepAlive.submit() // no connection to fetch through: the ordinary form post
      return
    }
    if (!response.ok) {
      signedOut()
      return
    }
    const data = await response.json()
    deadline = Date.now() + data.seconds_left * 1000
    close()
    schedule()
  }

  keepAlive.addEventListener('submit', stay)
  dialog.addEventListener('cancel', stay) // Escape
  schedule()
}
