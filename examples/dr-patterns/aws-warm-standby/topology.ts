import { awsStandby } from '../aws-standby.ts';

// Warm standby: a scaled-down but working copy of the stack serves nothing until failover, then scales out
// (AWS: "RPO/RTO: minutes"). The rto budget adds the scale-out (startSeconds not stated: 300 s).
export default awsStandby('aws-warm-standby', { posture: 'warm-standby', failover: 'automatic' }, 1, {
  rto: 900,
  rpo: 60,
});
