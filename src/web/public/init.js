// govuk-frontend's own components (service navigation on small screens, buttons, error summaries).
import { initAll } from '/javascripts/govuk-frontend.min.js';
initAll();
