<?php
namespace OPNsense\Core;

/* Core's Config singleton, as far as the VIP program uses it: lock(),
 * unlock(), save(). save() is refused without the lock (core's own callers
 * always lock first: ApiMutableModelControllerBase::addBase/delBase). */
class Config
{
    private static $instance = null;
    private $locked = false;
    private $pending = [];

    public static function getInstance()
    {
        if (self::$instance === null) {
            self::$instance = new Config();
        }
        return self::$instance;
    }

    public function lock($reload = true)
    {
        $this->locked = true;
        return $this;
    }

    public function unlock()
    {
        $this->locked = false;
        return $this;
    }

    /* BaseModel::serializeToConfig queues what changed. */
    public function stubQueue($line)
    {
        $this->pending[] = $line;
    }

    public function save($revision = null, $backup = true)
    {
        if (!$this->locked) {
            throw new \Exception('stub: Config::save() without Config::lock()');
        }
        foreach ($this->pending as $line) {
            Carpsim::change($line);
        }
        $this->pending = [];
    }
}
