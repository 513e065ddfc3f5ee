// Starts GOV.UK Frontend's JavaScript components. Loaded as a module
// (<script type="module">); pages work without it, JavaScript only enhances.
// The relative import resolves to STATIC_URL + "govuk/govuk-frontend.min.js",
// whatever STATIC_URL is.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
