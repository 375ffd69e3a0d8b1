<?php
namespace OPNsense\Core;

/* The emulated node behind the stub (README.md): carpsim's control server,
 * named by the environment the harness's opnsense-shell exports. */
class Carpsim
{
    private static function url($kind)
    {
        foreach (['CARPSIM_CTL', 'CARPSIM_PAIR', 'CARPSIM_NODE'] as $k) {
            if (getenv($k) === false) {
                throw new \Exception("stub: $k is not set");
            }
        }
        return sprintf('%s/ctl/%s/%s/%s', getenv('CARPSIM_CTL'), $kind, getenv('CARPSIM_PAIR'), getenv('CARPSIM_NODE'));
    }

    private static function request($url, $post = null)
    {
        $opts = ['http' => ['ignore_errors' => true, 'timeout' => 20]];
        if ($post !== null) {
            $opts['http']['method'] = 'POST';
            $opts['http']['header'] = "Content-Type: text/plain\r\n";
            $opts['http']['content'] = $post;
        }
        $body = @file_get_contents($url, false, stream_context_create($opts));
        $code = 0;
        foreach ($http_response_header ?? [] as $h) {
            if (preg_match('#^HTTP/\S+ (\d+)#', $h, $m)) {
                $code = (int)$m[1];
            }
        }
        if ($code == 503) {
            throw new \Exception('stub: the emulated node is down');
        }
        return [$code, $body === false ? '' : $body];
    }

    public static function state()
    {
        list($code, $body) = self::request(self::url('text') . '/vip-json');
        $state = json_decode($body, true);
        if ($code != 200 || !is_array($state)) {
            throw new \Exception("stub: no vip-json from carpsim (HTTP $code)");
        }
        return $state;
    }

    public static function change($line)
    {
        list($code, $body) = self::request(self::url('vip'), $line);
        if ($code != 200) {
            throw new \Exception("stub: carpsim refused '$line' (HTTP $code): " . trim($body));
        }
    }
}
