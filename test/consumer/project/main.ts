// The consumer project's app, as a user of the package writes it: our charts, then plain `app.synth()`.
import { App } from 'cdk8s';
import { addCharts } from './charts';

const app = new App();
addCharts(app);
app.synth();
